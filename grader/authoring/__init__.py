"""What homework authors and instructors run besides grading: computing and checking answer keys."""
