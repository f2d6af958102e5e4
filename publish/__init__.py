"""What researchers take away: exports, the corpus card and its charts, Datasette serving."""
