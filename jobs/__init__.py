"""What a command does when it spans rooms: launching crawls, re-parsing the archive."""
