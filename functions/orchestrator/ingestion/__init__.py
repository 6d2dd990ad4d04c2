"""Repository ingestion: from a repository archive to analysis, search chunks and training data.

Pure domain code (no AWS): ``archive`` reads an archive safely, ``fetch`` downloads one without
letting a URL reach internal addresses, ``code_analysis`` and ``doc_analysis`` describe the
Python code and the Markdown documentation, ``chunking`` and ``embedding`` make the repository
searchable, and ``training_data`` turns the analysis into instruction pairs.
"""
