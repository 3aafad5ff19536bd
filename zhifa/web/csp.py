"""The one part of the Content-Security-Policy (config/settings.py, SECURE_CSP) that depends on the
deployment: the base-map tile server the operator may configure (ZHIFA_TILE_URL). Imported by the settings
module, so it imports nothing from Django."""

from urllib.parse import urlsplit


def tile_sources(tile_url: str) -> list[str]:
    """The CSP source that lets the maps load images from ``tile_url``, a Leaflet template such as
    ``https://t{s}.tianditu.gov.cn/vec_w/wmts?…&tk=KEY``; none when there is no tile server or it is a path
    on this site ('self' covers it).

    Leaflet fills ``{s}`` with a subdomain (t0 … t7), and a CSP host may carry a wildcard only as its whole
    leftmost label: every label up to the last templated one becomes that one ``*``."""
    parts = urlsplit(tile_url)
    if not parts.netloc:
        return []
    labels = parts.netloc.rsplit("@", 1)[-1].split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
    host = ".".join(labels)
    return [f"{parts.scheme}://{host}" if parts.scheme else host]
