"""GraphQL of debt terms: extensions (debtExtend) and discount offers (discountOffer)."""
