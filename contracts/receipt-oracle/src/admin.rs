//! Governance: the shared admin and pause implementation.

use crate::error::ContractError;
use crate::state::ReceiptOracleContract;

attrib_std::impl_governance!(ReceiptOracleContract, ContractError);
