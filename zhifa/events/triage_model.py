"""The triage model: free Chinese text → complaint kind (诉求类型) with calibrated confidence, and urgency.

Trained from the project's labelled corpus (``data/triage/train_*.csv``, labelled by docs/triage-labelling.md)
plus the dispatchers' corrections, evaluated on the held-out set (``data/triage/heldout.csv``, written apart and
never trained on). The choice of model is ADR 0012; in short:

- **Features**: TF-IDF over character 1–3-grams of the normalised text (NFKC, lower case, no whitespace, every
  digit as 0 — house numbers and decibels teach nothing), and over pinyin syllables and syllable pairs, so that a
  homophone typo (战道 for 占道, 煤汽 for 煤气) reads like the word it stands for.
- **Kind**: multinomial logistic regression (balanced class weights), its probabilities calibrated by
  temperature scaling on 5-fold cross-validated predictions (``CalibratedClassifierCV(method="temperature",
  ensemble=False)``): one classifier at prediction time, with a confidence that means what it says.
- **Urgent**: a binary logistic regression on the same features (balanced class weights); a text is urgent when
  its probability reaches ``urgent_threshold``, set at training as the highest threshold that still finds
  ``URGENT_RECALL`` of the urgent training texts in cross-validation. The phrase shown to the dispatcher is the stretch of the text
  covered by the character n-grams that pushed hardest towards urgent.

Training is deterministic (fixed folds, lbfgs): the same corpus gives the same model. The model is a joblib file
written by ``manage.py train_triage`` (``make install`` builds it when the corpus changes) and replaced by
``manage.py retrain_triage`` only when it scores no worse; the file is the server's own, trusted like its code
(joblib unpickles it), and is never taken from a user.
"""

import csv
import functools
import hashlib
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from pypinyin import lazy_pinyin
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

DATA_DIR = Path(__file__).resolve().parent / "data" / "triage"
TRAIN_FILES = ("train_a.csv", "train_b.csv")
HELDOUT_FILE = "heldout.csv"
MAX_TEXT_CHARS = 500
CANDIDATES = 3
SEED = 0
# Urgency favours recall: a missed fight costs more than a dispatcher's glance at a false alarm. The threshold is
# set at training so that cross-validation on the training texts finds this share of the urgent ones.
URGENT_RECALL = 0.95

# Phrases of active danger (docs/triage-labelling.md, rule U), shown as the reason an urgent text is urgent.
DANGER_PHRASES = (
    "着火", "起火", "失火", "火灾", "冒黑烟", "冒烟", "烧起来", "火苗", "爆炸", "煤气味", "燃气味", "天然气味",
    "液化气味", "漏气", "泄漏", "打架", "斗殴", "打人", "动手", "持刀", "拿刀", "菜刀", "砍人", "捅人", "威胁",
    "家暴", "抢劫", "被困", "困人", "困在", "关在电梯", "掉下来", "要掉", "摇摇欲坠", "倒塌", "坍塌", "砸到",
    "砸伤", "电线打火", "打火花", "冒火花", "漏电", "触电", "电线掉", "电线垂", "井盖", "窨井", "淹了", "被淹",
    "积水很深", "跳楼", "要跳", "昏倒", "晕倒", "受伤", "流血",
)  # fmt: skip
# What the danger is about, shown when no phrase of the list above is in an urgent text.
DANGER_OBJECTS = ("天然气", "煤气", "液化气", "广告牌", "招牌", "脚手架", "电线", "电梯", "刀", "火")
_DIGITS = re.compile(r"\d")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    urgent: bool
    register: str = ""


@dataclass(frozen=True)
class Prediction:
    candidates: list[tuple[str, float]]  # (kind code, probability), best first
    urgent_probability: float
    urgent: bool
    urgent_phrase: str  # the stretch of text that made it urgent ("" when not urgent)

    @property
    def kind(self) -> str:
        return self.candidates[0][0]

    @property
    def confidence(self) -> float:
        return self.candidates[0][1]


@dataclass
class Scores:
    """How a model does on labelled texts (``evaluate``)."""

    n: int
    kind_top1: float
    kind_top3: float
    department_top1: float
    urgent_recall: float
    urgent_precision: float
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, count), worst first

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "kind_top1": round(self.kind_top1, 4),
            "kind_top3": round(self.kind_top3, 4),
            "department_top1": round(self.department_top1, 4),
            "urgent_recall": round(self.urgent_recall, 4),
            "urgent_precision": round(self.urgent_precision, 4),
        }

    def no_worse_than(self, other: "Scores") -> bool:
        """The rule a retrained model must pass to replace the running one: on the same held-out texts, neither
        the kind's top-1 accuracy nor the urgent recall is lower."""
        return self.kind_top1 >= other.kind_top1 and self.urgent_recall >= other.urgent_recall


def normalise(text: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", text).lower().split())[:MAX_TEXT_CHARS]
    return _DIGITS.sub("0", text)


@functools.lru_cache(maxsize=20000)
def _syllable(char: str) -> str:
    return lazy_pinyin(char)[0]


def sounds(text: str) -> str:
    """The pinyin syllables of a text's Chinese characters, space-separated (other characters dropped). Read a
    character at a time (a homophone typo is what it sounds like alone), each looked up once per process."""
    return " ".join(_syllable(char) for char in _CJK.findall(normalise(text)))


def _weights(grams: Iterable[str], vectorizer: TfidfVectorizer, offset: int) -> dict[int, float]:
    """One text's TF-IDF weights as ``vectorizer.transform`` computes them (sublinear tf, idf, l2 norm), by
    column (+ ``offset``): for one text this is a few dict look-ups, where ``transform`` costs milliseconds of
    matrix building. ``test_triage_model`` checks that both agree."""
    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    counts: dict[int, int] = {}
    for gram in grams:
        column = vocabulary.get(gram)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    weights = {column: (1.0 + math.log(n)) * idf[column] for column, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {column + offset: w / norm for column, w in weights.items()}


def _char_grams(text: str) -> Iterator[str]:
    for n in (1, 2, 3):
        for start in range(len(text) - n + 1):
            yield text[start : start + n]


def _word_grams(tokens: list[str]) -> Iterator[str]:
    yield from tokens
    for first, second in itertools.pairwise(tokens):
        yield f"{first} {second}"


def read_examples(path: Path) -> list[Example]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Example(
                text=row["text"].strip(),
                kind=row["kind"].strip(),
                urgent=row["urgent"].strip() == "1",
                register=(row.get("register") or "").strip(),
            )
            for row in csv.DictReader(handle)
            if row.get("text", "").strip()
        ]


def corpus(data_dir: Path = DATA_DIR) -> list[Example]:
    """The training corpus (every ``train_*.csv``), in file order."""
    return [e for name in TRAIN_FILES if (data_dir / name).exists() for e in read_examples(data_dir / name)]


def heldout(data_dir: Path = DATA_DIR) -> list[Example]:
    return read_examples(data_dir / HELDOUT_FILE)


def corpus_digest(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.text}\t{e.kind}\t{int(e.urgent)}\n".encode())
    return digest.hexdigest()


class TriageModel:
    """A trained model: ``predict`` one text, ``evaluate`` a labelled set."""

    def __init__(
        self,
        chars: TfidfVectorizer,
        syllables: TfidfVectorizer,
        kind_classifier: CalibratedClassifierCV,
        urgent_classifier: LogisticRegression,
        *,
        urgent_threshold: float,
        meta: dict[str, Any],
    ) -> None:
        self.chars = chars
        self.syllables = syllables
        self.kind_classifier = kind_classifier
        self.urgent_classifier = urgent_classifier
        self.urgent_threshold = urgent_threshold
        self.meta = meta
        self.kinds: list[str] = [str(k) for k in kind_classifier.classes_]
        self._char_names = chars.get_feature_names_out()
        self._urgent_char_weights = np.asarray(urgent_classifier.coef_[0][: len(self._char_names)])

    def _features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if len(texts) != 1:
            normalised = [normalise(t) for t in texts]
            return sparse.hstack(
                [self.chars.transform(normalised), self.syllables.transform([sounds(t) for t in texts])], format="csr"
            )
        weights = _weights(_char_grams(normalise(texts[0])), self.chars, 0)
        weights.update(_weights(_word_grams(sounds(texts[0]).split()), self.syllables, len(self.chars.vocabulary_)))
        columns = sorted(weights)
        width = len(self.chars.vocabulary_) + len(self.syllables.vocabulary_)
        return sparse.csr_matrix(
            (np.array([weights[c] for c in columns], dtype=np.float32), np.array(columns), np.array([0, len(columns)])),
            shape=(1, width),
        )

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        features = self._features(texts)
        kind_p = self.kind_classifier.predict_proba(features)
        urgent_p = self.urgent_classifier.predict_proba(features)[:, 1]
        predictions = []
        for row, text in enumerate(texts):
            order = np.argsort(-kind_p[row], kind="stable")[:CANDIDATES]
            candidates = [(self.kinds[i], round(float(kind_p[row][i]), 4)) for i in order]
            urgent = bool(urgent_p[row] >= self.urgent_threshold)
            phrase = self._urgent_phrase(text, features[row]) if urgent else ""
            predictions.append(Prediction(candidates, round(float(urgent_p[row]), 4), urgent, phrase))
        return predictions

    def _urgent_phrase(self, text: str, features: sparse.csr_matrix) -> str:
        """What to show the dispatcher as the reason a text is urgent: the first danger phrase of
        ``DANGER_PHRASES`` in it (the longest where several start together), else of ``DANGER_OBJECTS``; else the
        stretch of the text
        covered by the Chinese character n-grams that pushed hardest towards urgent. The phrase explains the
        model's decision; it does not make it."""
        normalised = normalise(text)
        for phrases in (DANGER_PHRASES, DANGER_OBJECTS):
            found = [(normalised.find(p), -len(p), p) for p in phrases if p in normalised]
            if found:
                return min(found)[2]
        n_chars = len(self._char_names)
        grams = [
            (float(value) * self._urgent_char_weights[i], str(self._char_names[i]))
            for i, value in zip(features.indices, features.data, strict=True)
            if i < n_chars
        ]
        top = [g for weight, g in sorted(grams, reverse=True)[:4] if weight > 0 and len(_CJK.findall(g)) == len(g) > 1]
        if not top:
            return ""
        spans = sorted((start, start + len(g)) for g in top if (start := normalised.find(g)) >= 0)
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        first = normalised.find(top[0])
        return next((normalised[a:b] for a, b in merged if a <= first < b), top[0])

    def evaluate(self, examples: Sequence[Example], department_of: dict[str, str]) -> Scores:
        """Accuracy on labelled texts; ``department_of``: kind code → department code (the kind list's)."""
        predictions = self.predict_many([e.text for e in examples]) if examples else []
        n = len(examples)
        top1 = sum(p.kind == e.kind for p, e in zip(predictions, examples, strict=True))
        top3 = sum(e.kind in [c for c, _ in p.candidates] for p, e in zip(predictions, examples, strict=True))
        department = sum(
            department_of.get(p.kind) == department_of.get(e.kind) for p, e in zip(predictions, examples, strict=True)
        )
        truly_urgent = [p.urgent for p, e in zip(predictions, examples, strict=True) if e.urgent]
        flagged = [e.urgent for p, e in zip(predictions, examples, strict=True) if p.urgent]
        confusions: dict[tuple[str, str], int] = {}
        for p, e in zip(predictions, examples, strict=True):
            if p.kind != e.kind:
                confusions[(e.kind, p.kind)] = confusions.get((e.kind, p.kind), 0) + 1
        worst = sorted(((t, pk, c) for (t, pk), c in confusions.items()), key=lambda x: (-x[2], x[0], x[1]))
        return Scores(
            n=n,
            kind_top1=top1 / n if n else 0.0,
            kind_top3=top3 / n if n else 0.0,
            department_top1=department / n if n else 0.0,
            urgent_recall=sum(truly_urgent) / len(truly_urgent) if truly_urgent else 1.0,
            urgent_precision=sum(flagged) / len(flagged) if flagged else 1.0,
            confusions=worst,
        )


def _calibrated(classifier: LogisticRegression, labels: Sequence[Any]) -> CalibratedClassifierCV:
    # As many folds as the rarest label allows (at most 5): a correction may bring a kind with few texts.
    smallest = min(np.unique(np.asarray(labels), return_counts=True)[1])
    folds = StratifiedKFold(n_splits=max(2, min(5, int(smallest))), shuffle=True, random_state=SEED)
    return CalibratedClassifierCV(classifier, method="temperature", cv=folds, ensemble=False)


def _urgent_threshold(classifier: LogisticRegression, features: sparse.csr_matrix, urgent: np.ndarray) -> float:
    """The highest probability threshold that still finds ``URGENT_RECALL`` of the urgent texts in 5-fold
    cross-validation on the training texts (the held-out set is never used to tune), at most 0.5."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    scores = cross_val_predict(classifier, features, urgent, cv=folds, method="predict_proba")[:, 1]
    positives = np.sort(scores[urgent == 1])
    if len(positives) == 0:
        return 0.5
    allowed_misses = int(len(positives) * (1 - URGENT_RECALL))
    return float(min(0.5, positives[allowed_misses]))


def train(examples: Sequence[Example], *, meta: dict[str, Any] | None = None) -> TriageModel:
    """Fit a model on labelled texts (deterministic for the same texts in the same order)."""
    if len({e.kind for e in examples}) < 2:
        raise ValueError("training needs texts of at least two kinds")
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32)
    syllables = TfidfVectorizer(
        analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32
    )
    texts = [e.text for e in examples]
    features = sparse.hstack(
        [chars.fit_transform([normalise(t) for t in texts]), syllables.fit_transform([sounds(t) for t in texts])],
        format="csr",
    )
    kinds = [e.kind for e in examples]
    kind_classifier = _calibrated(LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced"), kinds)
    kind_classifier.fit(features, kinds)
    urgent = np.asarray([int(e.urgent) for e in examples])
    urgent_classifier = LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")
    threshold = _urgent_threshold(urgent_classifier, features, urgent)
    urgent_classifier.fit(features, urgent)
    return TriageModel(
        chars,
        syllables,
        kind_classifier,
        urgent_classifier,
        urgent_threshold=threshold,
        meta={"examples": len(examples), "corpus_sha256": corpus_digest(examples), **(meta or {})},
    )


def save(model: TriageModel, path: Path) -> str:
    """Write the model atomically (a reader never sees half a file); returns the file's SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    joblib.dump(model, partial, compress=3)
    digest = hashlib.sha256(partial.read_bytes()).hexdigest()
    partial.replace(path)
    return digest


def load(path: Path) -> TriageModel:
    model = joblib.load(path)
    if not isinstance(model, TriageModel):
        raise TypeError(f"{path} is not a triage model")
    return model
