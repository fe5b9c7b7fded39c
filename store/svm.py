"""The linear SVM behind the interest model, fitted here or by a child process.

Importing scikit-learn costs a process ~60 MB that it keeps (scikit-learn
imports scipy.stats), and about a second. A short-lived command pays that
once; a long-lived one (the reader) ranking a large library lets a child
process fit instead, ``python -m store.svm``, and keeps only the weights it
returns: the decided papers' rows go in on stdin, the weights come back on
stdout, both as ``.npz`` bytes. The same rows give the same weights either
way (the solver's seed is fixed).
"""

from __future__ import annotations

import io
import os
import sys
import warnings
from pathlib import Path
from typing import Any

SVM_C = 0.1
"""The SVM's regularisation: small, as the decided papers are few against many terms."""


def fit(samples: Any, labels: Any, weights: Any) -> tuple[Any, float]:
    """A linear SVM of these rows (a CSR matrix): its float32 weights and its intercept."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    # The dual problem suits few samples over many terms; a fit that stops
    # short of the tolerance still orders papers well, and the command
    # line's stderr is for the user, not for the solver. A fixed seed: the
    # same decisions always give the same order.
    model = LinearSVC(C=SVM_C, dual=True, tol=1e-6, max_iter=10_000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(samples, labels, sample_weight=weights)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def fit_in_child(samples: Any, labels: Any, weights: Any) -> tuple[Any, float] | None:
    """:func:`fit` run by ``python -m store.svm``; None when the child failed."""
    import subprocess

    import numpy as np

    sent = io.BytesIO()
    np.savez(
        sent,
        data=samples.data,
        indices=samples.indices,
        indptr=samples.indptr,
        shape=np.array(samples.shape, dtype=np.int64),
        labels=labels,
        weights=weights,
    )
    root = str(Path(__file__).resolve().parents[1])  # where the ``store`` package lives
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "store.svm"],
            input=sent.getvalue(),
            capture_output=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            return None
        with np.load(io.BytesIO(done.stdout), allow_pickle=False) as got:
            coef, intercept = got["coef"], got["intercept"]
    except (OSError, ValueError, KeyError):
        return None
    if coef.dtype != np.float32 or coef.shape != (samples.shape[1],) or intercept.shape != (1,):
        return None
    return coef, float(intercept[0])


def main() -> int:
    """``python -m store.svm``: the rows and labels on stdin, the weights on stdout."""
    import numpy as np
    from scipy import sparse

    with np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False) as got:
        shape = tuple(int(n) for n in got["shape"])
        samples = sparse.csr_matrix((got["data"], got["indices"], got["indptr"]), shape=shape)
        coef, intercept = fit(samples, got["labels"], got["weights"])
    out = io.BytesIO()
    np.savez(out, coef=coef, intercept=np.array([intercept], dtype=np.float64))
    sys.stdout.buffer.write(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
