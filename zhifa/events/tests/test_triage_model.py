"""The triage model as the set-up builds it: its one-text fast path computes the features sklearn's vectorizers
compute; training is deterministic; the held-out set stays apart from the training texts."""

import numpy as np
import pytest

from zhifa.events import routing, triage_model


@pytest.fixture(scope="module")
def model() -> triage_model.TriageModel:
    return routing.running_model()


def test_one_text_gets_the_features_the_vectorizers_give_a_batch(model: triage_model.TriageModel) -> None:
    texts = [e.text for e in triage_model.heldout()[:120]] + ["", "ＡＩ识别：占道经营 置信度0.87", "煤汽味好重！！"]

    batch = model._features(texts).toarray()
    one_by_one = np.vstack([model._features([t]).toarray() for t in texts])

    np.testing.assert_allclose(one_by_one, batch, rtol=1e-5, atol=1e-6)


def test_training_is_deterministic() -> None:
    texts = triage_model.corpus()[::6]  # a sixth of the corpus: the same steps, in seconds
    first = triage_model.train(texts)
    second = triage_model.train(texts)
    probe = [e.text for e in triage_model.heldout()[:40]]

    assert [p.candidates for p in first.predict_many(probe)] == [p.candidates for p in second.predict_many(probe)]
    assert first.urgent_threshold == second.urgent_threshold


def test_no_held_out_text_is_in_the_training_corpus() -> None:
    trained = {triage_model.normalise(e.text) for e in triage_model.corpus()}

    assert not [e.text for e in triage_model.heldout() if triage_model.normalise(e.text) in trained]


def test_every_label_is_a_kind_of_the_list_and_every_kind_is_taught() -> None:
    from zhifa.catalog.kinds import kind_rows

    codes = {row.code for row in kind_rows()}
    labels = {e.kind for e in triage_model.corpus()}

    assert labels == codes
    assert {e.kind for e in triage_model.heldout()} <= codes


def test_the_urgent_phrase_names_the_danger_not_what_it_is_about(model: triage_model.TriageModel) -> None:
    trapped = model.predict("电梯卡在三楼不动了，里面有人被困，一直在拍门")
    anger = model.predict("紧急！！！门口又摆摊了，说了八百遍了")

    assert (trapped.urgent, trapped.urgent_phrase) == (True, "被困")
    assert (anger.urgent, anger.urgent_phrase) == (False, "")
