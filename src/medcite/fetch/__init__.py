"""Fetch: bring outside sources into files that `medcite ingest` reads.

`medcite.fetch.pubmed.fetch_pubmed` runs a PubMed search through NCBI E-utilities (esearch
with history, efetch in batches) and writes ``pubmed-fetch-NNNN.xml`` batch files, resumably;
`medcite.fetch.eutils.EutilsClient` is the HTTP client (rate limit, retries, validation).
"""
