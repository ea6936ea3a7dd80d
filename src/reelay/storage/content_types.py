"""Content types of what Reelay stores, by file ending."""

CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def content_type_for(key: str) -> str:
    for ending, content_type in CONTENT_TYPES.items():
        if key.lower().endswith(ending):
            return content_type
    return "application/octet-stream"
