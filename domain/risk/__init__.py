"""Risk score per debtor: a pure function of payment behaviour, with explainable factors."""

from domain.risk.score import BANDS, RiskBand, RiskScore, band_of, risk_score

__all__ = ["BANDS", "RiskBand", "RiskScore", "band_of", "risk_score"]
