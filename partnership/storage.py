"""Private files: papers, rendered PDFs, partnership agreements. Never served by the web server
straight from disk: every download goes through a view that checks who is asking."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

private_storage = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


def private_files() -> FileSystemStorage:
    # A callable, so migrations name it rather than freezing this machine's folder into them.
    return private_storage
