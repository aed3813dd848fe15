"""The encrypted file store: X12 files and generated PDFs, sealed at rest, checked on every read.

Use the services (`file_store`, `file_read`, `x12_upload_check`) and, in upload forms,
`openrcm.files.forms.X12UploadField`. See docs/files.md.
"""
