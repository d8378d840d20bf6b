"""Names of the output formats, apart from the code that renders them (``results``).

Kept free of rdflib so the command line can build its parser without importing it.
"""

SELECT_FORMATS = ("table", "csv", "tsv", "json", "markdown")
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples")
