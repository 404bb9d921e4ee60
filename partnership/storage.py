"""Private files: papers, rendered PDFs, partnership agreements. Never served by the web server
straight from disk: every download goes through a view that checks who is asking."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

# Private files are for the service's own user and group only, never world-readable. (Set here,
# not globally: static files collected by root must stay readable by the web server's user.)
private_storage = FileSystemStorage(
    location=settings.PRIVATE_MEDIA_ROOT,
    file_permissions_mode=0o640,
    directory_permissions_mode=0o750,
)


def private_files() -> FileSystemStorage:
    # A callable, so migrations name it rather than freezing this machine's folder into them.
    return private_storage
