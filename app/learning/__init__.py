"""The trainee's side: dashboard, module reader, quizzes, progress."""
