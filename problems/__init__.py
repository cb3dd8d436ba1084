"""Built-in homework plugins, registered through the `grader.homeworks` entry-point group."""
