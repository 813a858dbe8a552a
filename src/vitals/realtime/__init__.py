"""Real-time reliability: rolling windows of job outcomes and latencies from the rows landed recently.

The scheduled build recomputes the warehouse and grows with it; on-call cannot wait for it. This package
keeps a small feed of the recent job and error rows (``feed``), read from the raw tables by their landing
time, derives the jobs of a window by the same rules as the ``summarization_jobs`` model (``jobs``) and
reduces them to the figures the real-time alert rules judge (``windows``). Its cost follows the rows landed
since the last tick, not the size of the warehouse.
"""
