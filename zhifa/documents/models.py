"""Legal documents (文书): their numbers, their stored PDFs, and the officers' pre-numbered ranges.

A document is never changed once written: regenerating one makes a new row (``version`` + 1) in the same
``series`` with the same number. Numbers come from ``DocumentSequence`` — one row per (district, kind,
year), locked while a number is taken in the transaction that writes the document, so a rollback gives the
number back and no number is skipped or given twice (LEGAL.md "Identifiers": sequences never reused).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.documents.kinds import DocumentKind
from zhifa.org.models import District, Officer


class DocumentSequence(models.Model):
    """The last number given for one kind in one district and year. Written only by
    ``zhifa.documents.services`` under a row lock; ``last_number`` only grows."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    kind = models.CharField("文书种类", max_length=32, choices=DocumentKind.choices)
    year = models.PositiveIntegerField("年度")
    last_number = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "文书编号序列"
        ordering = ["district", "kind", "year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "kind", "year"], name="document_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} 已用至{self.last_number}"


class NumberRange(models.Model):
    """Pre-numbered decisions (简易程序, APL 52) allotted to one officer: ``first``..``last`` of the kind's
    sequence for ``year``, taken from ``DocumentSequence`` when allotted, so no two ranges overlap and the
    general sequence never hands them out again. ``next_number`` is the officer's next decision's number;
    past ``last`` the range is exhausted."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    officer = models.ForeignKey(
        Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="document_number_ranges"
    )
    kind = models.CharField("文书种类", max_length=32, choices=DocumentKind.choices)
    year = models.PositiveIntegerField("年度")
    first = models.PositiveIntegerField("起始号")
    last = models.PositiveIntegerField("终止号")
    next_number = models.PositiveIntegerField("下一号")
    allotted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="分配人", null=True, blank=True, on_delete=models.PROTECT
    )
    allotted_at = models.DateTimeField("分配时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "预编号文书号段"
        ordering = ["district", "kind", "year", "first"]
        constraints = [
            models.CheckConstraint(condition=Q(first__lte=models.F("last")), name="number_range_ordered"),
            models.CheckConstraint(
                condition=Q(next_number__gte=models.F("first")) & Q(next_number__lte=models.F("last") + 1),
                name="number_range_next_within",
            ),
            models.UniqueConstraint(fields=["district", "kind", "year", "first"], name="number_range_first_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.year} 第{self.first:04d}–{self.last:04d}号"

    @property
    def remaining(self) -> int:
        return self.last + 1 - self.next_number


class Document(models.Model):
    """One version of one document, as issued: the context it was rendered from and the PDF, with its hash.

    ``owner`` names what the document belongs to in the caller's terms (``"case:12"``); documents know nothing
    of cases. ``number`` is blank for kinds that are not numbered; ``sequence_year``/``sequence_no`` are the
    parts of the number, kept for ordering and the uniqueness constraint."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    kind = models.CharField("文书种类", max_length=32, choices=DocumentKind.choices)
    series = models.UUIDField("文书系列", default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField("版本", default=1)
    number = models.CharField("文号", max_length=60, blank=True)
    sequence_year = models.PositiveIntegerField("文号年度", null=True, blank=True)
    sequence_no = models.PositiveIntegerField("文号序号", null=True, blank=True)
    owner = models.CharField("所属", max_length=64, db_index=True, help_text="如 case:12")
    title = models.CharField("标题", max_length=200)
    context = models.JSONField("文书内容")
    pdf = models.FileField("PDF", upload_to="documents/%Y/%m/", max_length=200)
    sha256 = models.CharField("PDF SHA-256", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制作人", null=True, blank=True, on_delete=models.PROTECT
    )
    created_by_label = models.CharField("制作人名称", max_length=150)
    created_at = models.DateTimeField("制作时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法文书"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="document_series_version_unique"),
            # A number belongs to one series: its versions share it, no other document may carry it.
            models.UniqueConstraint(
                fields=["district", "kind", "sequence_year", "sequence_no", "version"],
                condition=Q(sequence_no__isnull=False),
                name="document_number_version_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "kind", "sequence_year", "sequence_no"], name="document_number_idx")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number} v{self.version}".strip()
