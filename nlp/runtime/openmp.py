"""Make torch's OpenMP threads wait passively, decided before anything imports torch.

torch runs its intra-op thread pool on OpenMP (libgomp), which reads `OMP_WAIT_POLICY` once, when
torch is first loaded (importing spaCy loads it too). By default an OpenMP thread that reaches one
of the ~100 barriers of a MiniLM forward pass spins, holding its core. On a 2-core host that also
runs a second uvicorn worker, the clock or the database, the spinning thread keeps the core its
descheduled partner needs. Measured with two processes encoding SMS at once, 2 threads each: one
MiniLM pass took ~280 ms at the median and over 1 s at p99 (idle: ~14 ms); with passive waiting
~23 ms and ~33 ms, as with a single thread. Idle, passive waiting costs about 1-2 ms a pass and
keeps the ~1.8x batched speed-up of the second thread (see `benchmarks/analyse_speed.py`).

`nlp/__init__.py` imports this module first, so any `import nlp...` sets the policy, unless the
operator chose one (the environment wins) or torch was already loaded (then it is too late, and
`WAITS_PASSIVELY` tells `nlp.runtime.encoders` to use one thread instead).
"""

from __future__ import annotations

import os
import sys

_VARIABLE = "OMP_WAIT_POLICY"


def prefer_passive_wait() -> bool:
    """Set OMP_WAIT_POLICY=PASSIVE if nobody chose a policy and torch is not loaded yet.

    True when OpenMP in this process waits passively (as far as the environment tells).
    """
    if _VARIABLE not in os.environ and "torch" not in sys.modules:
        os.environ[_VARIABLE] = "PASSIVE"
    return os.environ.get(_VARIABLE, "").strip().upper() == "PASSIVE"


# Read once at import: whether torch will see (or saw) the passive policy.
WAITS_PASSIVELY = prefer_passive_wait()
