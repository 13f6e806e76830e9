"""Rasa's LogisticRegressionClassifier, saved as plain arrays instead of with skops.

Why: the stock component persists with `skops.io`, and merely importing skops inside a Rasa process costs
~15 s (at import it scans every loaded module — TensorFlow's thousands — to build its trusted-type list).
That was most of the server's start-up and a chunk of training. A fitted logistic regression is just
`coef_`, `intercept_` and `classes_`: they go into one .npz (no pickle, so loading runs no code from the
model file) and are put back on a fresh sklearn LogisticRegression at load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

from bot.components._common import RestoredComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ArrayLogisticRegressionClassifier(RestoredComponent, LogisticRegressionClassifier):
    """Same model and predictions as LogisticRegressionClassifier; persisted with numpy."""

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(
                model_dir / "logreg.npz",
                coef=self.clf.coef_,
                intercept=self.clf.intercept_,
                classes=np.asarray([str(c) for c in self.clf.classes_]),
            )

    def restore(self, directory: Path) -> None:
        with np.load(directory / "logreg.npz", allow_pickle=False) as saved:
            clf = self.clf
            clf.coef_ = saved["coef"]
            clf.intercept_ = saved["intercept"]
            clf.classes_ = saved["classes"]
            clf.n_features_in_ = clf.coef_.shape[1]
            clf.n_iter_ = np.asarray([0])
