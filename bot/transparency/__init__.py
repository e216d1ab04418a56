"""The public transparency page and its open data (issue #14): server-rendered HTML with inline
SVG charts, CSV and JSON, all from `flows.transparency.service.TransparencyReport`."""
