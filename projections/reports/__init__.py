"""Reports rendered from the views: the e-Plan status table (CSV, XLSX, HTML, as the Tak seed
lays it out) and plain tables for download (CSV, XLSX). Thai text throughout, dates in the
Buddhist era, counts with thousands separators."""
