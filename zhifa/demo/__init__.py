"""The demo district 拱墅区: ``manage.py load_demo`` builds it from a seed, ``manage.py demo_logins`` lists
its accounts. Sits on top of the domain apps; nothing imports it."""
