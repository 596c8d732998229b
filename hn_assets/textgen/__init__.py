"""Character-level LSTM that learns the style of who's-hiring postings.

vocab: characters and normalisation; corpus: the encoded training set and its windows;
model: the LightningModule and DataModule; training: Trainer, resume, baselines;
sampling: generation from a checkpoint; quality: the verdicts of the assets' checks.
No Dagster here; the assets wrap these.
"""
