"""Hand-written material for the demo site generator (tools/make_demo_site.py):
names of people, companies and programmes, and paragraph templates with slots."""
