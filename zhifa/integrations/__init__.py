"""Outside systems, one sub-package each: ``ai_alerts`` (AI cameras and drones) and ``open311`` (GeoReport v2).

Integrations sit on top of the domain apps (DESIGN.md): they authenticate the outside caller, translate its
format and call the domain's services; no domain app imports them.
"""
