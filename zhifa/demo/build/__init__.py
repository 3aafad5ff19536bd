"""The steps that write the demo district, one module per app the records belong to.

``zhifa.demo.builder.district_build`` runs them in order (see there); each takes what earlier steps made as
arguments and draws from the shared seeded ``draws.Draws``:

- ``org``: district, streets, zones, grids; departments; teams, leadership, officers, auxiliaries; later the
  officers' certified domains and duty roster
- ``subjects``: subjects and licences
- ``accounts``: the demo accounts (``org`` profiles), only when asked for
- ``catalog``: the enforcement-matter catalogue
- ``events``: officers' last positions and the clock rules
"""
