"""Stored PDFs and the rows that name them agree: a document whose transaction rolls back leaves no file.

The PDF is written before the row that names it is committed (the bytes must be there when the row, whose
SHA-256 is in the audit chain, becomes visible). The project's one guard (``zhifa.core.files``) removes it
again when that transaction rolls back; ``document_files_removed_on_rollback`` is that guard under the name
the document services use.

Every issuing service guards itself; a caller that issues a document inside a larger transaction of its
own (the case workflow: the step's rows, then the document, then perhaps a refusal) puts the guard around
that transaction, so that its rollback removes the file too::

    with document_files_removed_on_rollback(), audited_transaction():
        ...issue_document(...)...
"""

from contextlib import AbstractContextManager

from django.db.models.fields.files import FieldFile

from zhifa.core.files import file_store, files_removed_on_rollback


def document_files_removed_on_rollback() -> AbstractContextManager[None]:
    """Delete the PDFs written inside the block whose rows did not survive it (and any other file stored in
    it: the guard is ``zhifa.core.files.files_removed_on_rollback``)."""
    return files_removed_on_rollback()


def pdf_store(field_file: FieldFile, filename: str, pdf: bytes) -> None:
    """Write the PDF and record it with the active guard, so that a rollback removes it again."""
    file_store(field_file, filename, pdf)
