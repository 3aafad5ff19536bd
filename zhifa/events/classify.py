"""Free Chinese text → enforcement matter (执法事项) and responsible department: the "classify" step of triage.

The model: IDF-weighted term matching against the catalogue, plus operators' corrections
-------------------------------------------------------------------------------------------

Each active matter of the district becomes one weighted bag of terms, built from what the catalogue
maintainers write (the catalogue is the model's primary knowledge, reviewed like the rest of it):

- every keyword (``Matter.keywords``, space-separated) as written: weight ``KEYWORD_WEIGHT`` — keywords are
  the rules the catalogue editors maintain for exactly this purpose, so they weigh most;
- the jieba sub-words of a keyword (``cut_for_search``: 占道经营 → 占道, 经营): ``KEYWORD_PART_WEIGHT``;
- the content words of the matter's name: ``NAME_WEIGHT``;
- the content words of its violated provision (law titles and article numbers removed): ``PROVISION_WEIGHT``
  — long legal text, mostly shared between matters, so it only breaks ties;
- the training signal: every ``ClassificationFeedback`` row (an operator chose the matter by hand) adds the
  content words of its text to the chosen matter, ``FEEDBACK_WEIGHT`` × (1 + ln n) for a word seen in n
  texts — sub-linear so that one matter's many corrections do not drown its catalogue terms.

A term's weight is multiplied by its inverse document frequency over matters, ln(1 + N / df): a word every
matter shares (规定, 城市) says nothing, a word only one matter has (油烟) says a lot. A text's score for a
matter is the sum of the weights of the matter's terms that occur in the text.

Terms are found in the incoming text by substring lookup (every 2…``MAX_TERM_CHARS``-character slice is
looked up in a dict of the vocabulary), not by segmenting the text: jieba's segmentation of colloquial
complaints often cuts through the very word that matters (油烟熏得 → 油 / 烟熏 / 得), while every term of the
vocabulary — segmented with jieba from the catalogue and the operators' texts, with the catalogue keywords
added to jieba's dictionary — still appears verbatim. Content words are the jieba words of at least two
characters whose part of speech is not a place or person name, number, time word, pronoun or function word
(so "湖墅南路", "晚上", "我们" in an operator's text teach nothing).

Why not a Naive Bayes or a neural model: with a few keywords per matter and tens of matters, a transparent
sum of catalogue terms is as accurate on our labelled set (``make bench`` prints it: bench/classification.py)
and every score can be explained to the operator term by term; a catalogue edit takes effect at once.

Output: ``score`` is the top matter's share of the total evidence of all matching matters (0..1), and
``candidates`` the best ``CANDIDATES`` matters with their shares. When the top matter's evidence is below
``MIN_EVIDENCE`` (roughly: not even one specific catalogue keyword matched), the answer is ``None`` and the
operator classifies by hand.

The model is built per district on first use and cached in this process (each process may hold its own: it
is a cache of rows). Every call checks a stamp — the matters' count and latest ``updated_at``, and the
latest feedback id — in one indexed query and rebuilds when it changed, so a catalogue edit or an
override counts from the next text on.
"""

import logging
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jieba
import jieba.posseg
from django.db import connection, models

from zhifa.catalog.models import Matter
from zhifa.core.stamped import StampedCache
from zhifa.events.models import ClassificationFeedback
from zhifa.org.models import Department

KEYWORD_WEIGHT = 3.0
KEYWORD_PART_WEIGHT = 1.0
NAME_WEIGHT = 0.5
PROVISION_WEIGHT = 0.2
FEEDBACK_WEIGHT = 1.0
MIN_EVIDENCE = 2.0
CANDIDATES = 5
MAX_TERM_CHARS = 10
MAX_TEXT_CHARS = 500  # a hotline transcript's gist is at its start; bounds the per-text cost

# jieba part-of-speech flags whose words carry no subject matter (ICTCLAS tag set, as jieba uses it):
# place and person names, numerals and quantifiers, time and direction words, pronouns, adverbs,
# conjunctions, prepositions, particles, interjections, onomatopoeia, punctuation and unknown strings.
_SKIPPED_FLAGS = ("ns", "nr", "nt", "m", "q", "t", "f", "r", "d", "c", "p", "u", "y", "e", "o", "x", "eng", "zg")
_LAW_TITLE = re.compile(r"《[^》]*》")
_ARTICLE_NO = re.compile(r"第[一二三四五六七八九十百零〇\d]+[条款项章节]")


@dataclass(frozen=True)
class Classification:
    matter_id: int
    department_id: int
    score: float
    candidates: list[tuple[int, float]]
    # The matter with its department, as loaded with the model (the same stamp guards both); None for a
    # model built without them (tests, the bench's held-out evaluation).
    matter: Matter | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class MatterDocument:
    """What the model reads of one matter."""

    matter_id: int
    department_id: int
    name: str
    keywords: str
    violated_provision: str


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower-case, no whitespace: how both vocabulary and text are compared."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


# --- jieba: one private tokenizer per process, loaded on first use ------------------------------------

_jieba_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_pos_tokenizer: Any = None
_added_words: set[str] = set()


def _tokenizers() -> tuple[jieba.Tokenizer, Any]:
    global _tokenizer, _pos_tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            # jieba logs its dictionary loading to stderr at DEBUG; that is noise in a server's log.
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _pos_tokenizer = jieba.posseg.POSTokenizer(tokenizer)
            _tokenizer = tokenizer
        return _tokenizer, _pos_tokenizer


def _add_words(words: Iterable[str]) -> None:
    tokenizer, _ = _tokenizers()
    with _jieba_lock:
        for word in words:
            if word not in _added_words and len(word) >= 2:
                tokenizer.add_word(word, tag="n")
                _added_words.add(word)


def content_words(text: str) -> list[str]:
    """The distinct content words of a text, in order (see the module docstring for which words count)."""
    _, pos = _tokenizers()
    seen: dict[str, None] = {}
    for pair in pos.lcut(normalise(text)):
        word, flag = pair.word, pair.flag
        if len(word) < 2 or len(word) > MAX_TERM_CHARS or flag.startswith(_SKIPPED_FLAGS):
            continue
        if any(ch.isdigit() for ch in word):
            continue
        seen.setdefault(word, None)
    return list(seen)


def _keyword_parts(keyword: str) -> list[str]:
    tokenizer, _ = _tokenizers()
    return [w for w in tokenizer.lcut_for_search(keyword) if len(w) >= 2 and w != keyword]


# --- the model -----------------------------------------------------------------------------------------


class MatterModel:
    """The weighted term bags of one district's matters; ``rank`` scores a text against all of them."""

    def __init__(
        self,
        documents: Sequence[MatterDocument],
        feedback: Sequence[tuple[int, str]] = (),
        *,
        feedback_words: Sequence[tuple[int, list[str]]] = (),
    ) -> None:
        """``feedback``: (chosen matter id, text) pairs; ``feedback_words``: the same, already reduced to
        their content words (the cache of ``_build``)."""
        self.matter_ids = [d.matter_id for d in documents]
        self.matters: dict[int, Matter] = {}
        self.department_of = {d.matter_id: d.department_id for d in documents}
        index_of = {d.matter_id: i for i, d in enumerate(documents)}
        keywords = [[normalise(k) for k in d.keywords.split()] for d in documents]
        _add_words(k for ks in keywords for k in ks)

        weights: list[dict[str, float]] = [defaultdict(float) for _ in documents]
        for i, doc in enumerate(documents):
            bag = weights[i]
            for keyword in keywords[i]:
                if 2 <= len(keyword) <= MAX_TERM_CHARS:
                    bag[keyword] += KEYWORD_WEIGHT
                for part in _keyword_parts(keyword):
                    bag[part] += KEYWORD_PART_WEIGHT
            for word in content_words(doc.name):
                bag[word] += NAME_WEIGHT
            provision = _ARTICLE_NO.sub(" ", _LAW_TITLE.sub(" ", doc.violated_provision))
            for word in content_words(provision):
                bag[word] += PROVISION_WEIGHT
        seen_in: list[dict[str, int]] = [defaultdict(int) for _ in documents]
        for matter_id, words in [*((m, content_words(t)) for m, t in feedback), *feedback_words]:
            i = index_of.get(matter_id, -1)
            if i < 0:
                continue  # feedback for a matter no longer active
            for word in words:
                seen_in[i][word] += 1
        for i, counts in enumerate(seen_in):
            for word, n in counts.items():
                weights[i][word] += FEEDBACK_WEIGHT * (1.0 + math.log(n))

        df: dict[str, int] = defaultdict(int)
        for bag in weights:
            for term in bag:
                df[term] += 1
        n_docs = max(len(documents), 1)
        # term → [(matter index, weight × idf)]
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(weights):
            for term, weight in bag.items():
                self.postings[term].append((i, weight * math.log(1.0 + n_docs / df[term])))
        self.max_term = max((len(t) for t in self.postings), default=2)

    def terms_in(self, text: str) -> set[str]:
        """Vocabulary terms occurring in the text (substring lookup, see the module docstring)."""
        text = normalise(text)[:MAX_TEXT_CHARS]
        postings = self.postings
        found: set[str] = set()
        longest = self.max_term
        for start in range(len(text) - 1):
            for end in range(start + 2, min(start + longest, len(text)) + 1):
                piece = text[start:end]
                if piece in postings:
                    found.add(piece)
        return found

    def rank(self, text: str) -> list[tuple[int, float]]:
        """(matter id, evidence) for every matter with any, best first; ties by matter id for stable output."""
        scores: dict[int, float] = defaultdict(float)
        for term in self.terms_in(text):
            for i, weight in self.postings[term]:
                scores[i] += weight
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.matter_ids[kv[0]]))
        return [(self.matter_ids[i], score) for i, score in ranked]

    def classify(self, text: str) -> Classification | None:
        ranked = self.rank(text)
        if not ranked or ranked[0][1] < MIN_EVIDENCE:
            return None
        total = sum(score for _, score in ranked)
        candidates = [(matter_id, round(score / total, 4)) for matter_id, score in ranked[:CANDIDATES]]
        top_id = candidates[0][0]
        return Classification(
            matter_id=top_id,
            department_id=self.department_of[top_id],
            score=candidates[0][1],
            candidates=candidates,
            matter=self.matters.get(top_id),
        )


# --- per-district cache ----------------------------------------------------------------------------------

# Feedback rows are never edited, so their content words are kept by id: a rebuild after one more override
# segments one text, not all of them again.
_feedback_words: dict[tuple[int, str], list[str]] = {}


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def _stamp_sql() -> str:
    matter, feedback, department = Matter._meta, ClassificationFeedback._meta, Department._meta
    m = {f: _column(Matter, f) for f in ("district", "updated_at")}
    chosen = _column(ClassificationFeedback, "chosen_matter")
    return (
        f"SELECT COUNT(*), MAX({m['updated_at']}), "
        f"(SELECT f.id FROM {feedback.db_table} f INNER JOIN {matter.db_table} fm ON fm.id = f.{chosen} "
        f"WHERE fm.{m['district']} = %s ORDER BY f.id DESC LIMIT 1), "
        # The departments ride along with their matters (routing reads them): an edit shows here too.
        f"(SELECT MAX(d.{_column(Department, 'updated_at')}) FROM {department.db_table} d "
        f"WHERE d.{_column(Department, 'district')} = %s) "
        f"FROM {matter.db_table} WHERE {m['district']} = %s"
    )


_STAMP_SQL = _stamp_sql()


def _stamp(district_id: int) -> tuple[Any, ...]:
    """What the district's model was built from: (matters, their latest edit, latest feedback id, latest
    department edit).

    Plain portable SQL in one statement, run on every classification: compiling the equivalent ORM
    aggregates costs ten times the query itself (≈ 0.5 ms against 0.05 ms on SQLite), and the whole
    classification has to stay under a millisecond for intake to reach 300 events/s.
    """
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, [district_id, district_id, district_id])
        row = cursor.fetchone()
    return tuple(row) if row else (0, None, None, None)


def _build(district_id: int) -> MatterModel:
    active = Matter.objects.filter(district_id=district_id, is_active=True).order_by("id")
    documents = [
        MatterDocument(matter_id=row[0], department_id=row[1], name=row[2], keywords=row[3], violated_provision=row[4])
        for row in active.values_list("id", "department_id", "name", "keywords", "violated_provision")
    ]
    rows = (
        ClassificationFeedback.objects.filter(chosen_matter__district_id=district_id, chosen_matter__is_active=True)
        .order_by("id")
        .values_list("id", "chosen_matter_id", "text")
    )
    feedback_words = []
    for feedback_id, matter_id, text in rows.iterator(chunk_size=2000):
        key = (feedback_id, text)  # with the text: a rolled-back test database reuses ids
        words = _feedback_words.get(key)
        if words is None:
            words = _feedback_words[key] = content_words(text)
        feedback_words.append((matter_id, words))
    model = MatterModel(documents, feedback_words=feedback_words)
    model.matters = {m.pk: m for m in active.select_related("department")}
    return model


_cache: StampedCache[int, MatterModel] = StampedCache(stamp=_stamp, build=_build)


def matter_model(*, district_id: int) -> MatterModel:
    """The district's model, rebuilt when its catalogue, departments or feedback changed since it was built."""
    return _cache.get(district_id)


def classify_text(*, district_id: int, text: str) -> Classification | None:
    """The most likely matter for a complaint text and its department, or ``None`` when the text carries too
    little evidence for any matter (the operator then classifies by hand)."""
    if not text.strip():
        return None
    return matter_model(district_id=district_id).classify(text)
