"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2): services from the
enforcement-matter catalogue, service requests as events. Every method in ``.json`` and ``.xml``."""
