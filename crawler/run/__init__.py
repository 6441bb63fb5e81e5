"""One run: options and the pre-download filter (:mod:`~crawler.run.options`, pure), what the
run's components share and the exit codes (:mod:`~crawler.run.context`), the controller that
opens the state, commits outputs, checks the monitors and sets the exit code
(:mod:`~crawler.run.controller`), the monitors (:mod:`~crawler.run.monitors`, pure), the progress
line and bar (:mod:`~crawler.run.progress`), the HTML run report (:mod:`~crawler.run.report`), failure reasons (:mod:`~crawler.run.failures`), the
extraction worker pool (:mod:`~crawler.run.workers`) and counting many stats at once on the
per-item path (:mod:`~crawler.run.counting`)."""
