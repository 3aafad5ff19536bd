"""`make fuzz`: Schemathesis against a live local server (see __main__)."""
