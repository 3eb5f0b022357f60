"""Review's rules as plain functions: assignment, scoring, consensus, ranking. No I/O."""
