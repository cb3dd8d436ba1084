"""Reading files on a student's behalf: hardened YAML, submissions, discovery of a class folder, atomic writes."""
