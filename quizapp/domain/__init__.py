"""Pure-Python core of quizapp: no Flask, no database. Plain data in, plain data out."""
