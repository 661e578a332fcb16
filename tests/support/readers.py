"""What a reader's browser sends: ingest counts HTTP libraries' User-Agents as bots."""

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
