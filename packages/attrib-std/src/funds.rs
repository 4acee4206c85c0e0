//! Exact-payment checks. Every payable message in Attrib says exactly what it expects;
//! anything else (nothing, too little, too much, another denom, extra coins) is refused
//! before state changes, and the chain returns the funds with the failed transaction.

use cosmwasm_std::{to_json_binary, Addr, BankMsg, Binary, Coin, CosmosMsg, StdResult, Uint128, WasmMsg};
use serde::Serialize;
use thiserror::Error;

#[derive(Error, Debug, PartialEq, Eq)]
pub enum FundsError {
    #[error("payment required: send exactly {expected}")]
    Missing { expected: Coin },

    #[error("this message takes no funds, but {sent:?} was sent")]
    Unexpected { sent: Vec<Coin> },

    #[error("wrong payment: expected exactly {expected}, sent {sent:?}")]
    Wrong { expected: Coin, sent: Vec<Coin> },

    #[error("wrong payment: expected a positive amount of {denom} only, sent {sent:?}")]
    NotDenom { denom: String, sent: Vec<Coin> },

    #[error("wrong payment: expected exactly one of {accepted:?}, sent {sent:?}")]
    NotAccepted { accepted: Vec<Coin>, sent: Vec<Coin> },
}

/// Funds must be exactly `expected` (or none at all when nothing is expected or the
/// expected amount is zero).
pub fn expect_exact(sent: &[Coin], expected: Option<&Coin>) -> Result<(), FundsError> {
    match expected.filter(|c| !c.amount.is_zero()) {
        None => expect_none(sent),
        Some(expected) => match sent {
            [] => Err(FundsError::Missing {
                expected: expected.clone(),
            }),
            [one] if one == expected => Ok(()),
            _ => Err(FundsError::Wrong {
                expected: expected.clone(),
                sent: sent.to_vec(),
            }),
        },
    }
}

/// The message takes no funds.
pub fn expect_none(sent: &[Coin]) -> Result<(), FundsError> {
    // A zero-amount coin cannot be sent through the bank module, but be strict anyway.
    if sent.iter().all(|c| c.amount == Uint128::zero()) {
        Ok(())
    } else {
        Err(FundsError::Unexpected { sent: sent.to_vec() })
    }
}

/// Denoms of the form `cw20:<contract address>` name a cw20 token wherever Attrib takes
/// a `Coin` (escrow, royalties, prices); anything else is a native (or IBC) denom.
pub const CW20_PREFIX: &str = "cw20:";

/// The `Coin`-style denom of a cw20 token.
pub fn cw20_denom(token: &Addr) -> String {
    format!("{CW20_PREFIX}{token}")
}

/// The two cw20 messages Attrib sends, written exactly as cw20's `Cw20ExecuteMsg` writes
/// them. (Serializing a `Cw20ExecuteMsg` links the serializer of all its variants into
/// every contract that pays in cw20 tokens.)
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cw20Call {
    Transfer {
        recipient: String,
        amount: Uint128,
    },
    Send {
        contract: String,
        amount: Uint128,
        msg: Binary,
    },
}

impl Cw20Call {
    /// The call, executed on `token`.
    pub fn on(&self, token: impl Into<String>) -> StdResult<CosmosMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: token.into(),
            msg: to_json_binary(self)?,
            funds: vec![],
        }
        .into())
    }
}

/// Sends `amount` of `denom` to `to`: a bank send, or a cw20 `transfer` for `cw20:` denoms.
pub fn send(denom: &str, to: &Addr, amount: Uint128) -> StdResult<CosmosMsg> {
    Ok(match denom.strip_prefix(CW20_PREFIX) {
        Some(token) => Cw20Call::Transfer {
            recipient: to.to_string(),
            amount,
        }
        .on(token)?,
        None => BankMsg::Send {
            to_address: to.to_string(),
            amount: vec![Coin::new(amount, denom)],
        }
        .into(),
    })
}

/// Exactly one coin equal to one of the `accepted` prices. Returns the coin paid.
/// An empty price list means the thing is free and no funds may be sent.
pub fn expect_one_of(sent: &[Coin], accepted: &[Coin]) -> Result<Option<Coin>, FundsError> {
    if accepted.is_empty() {
        return expect_none(sent).map(|_| None);
    }
    match sent {
        [one] if accepted.contains(one) => Ok(Some(one.clone())),
        _ => Err(FundsError::NotAccepted {
            accepted: accepted.to_vec(),
            sent: sent.to_vec(),
        }),
    }
}

/// A positive amount of `denom`, and nothing else. Returns the amount.
pub fn one_coin_of(sent: &[Coin], denom: &str) -> Result<Uint128, FundsError> {
    match sent {
        [c] if c.denom == denom && !c.amount.is_zero() => Ok(c.amount),
        _ => Err(FundsError::NotDenom {
            denom: denom.to_string(),
            sent: sent.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::coin;

    #[test]
    fn cw20_calls_are_written_as_cw20_writes_them() {
        let transfer = Cw20Call::Transfer {
            recipient: "bob".into(),
            amount: Uint128::new(7),
        };
        let theirs = cw20::Cw20ExecuteMsg::Transfer {
            recipient: "bob".into(),
            amount: Uint128::new(7),
        };
        assert_eq!(
            to_json_binary(&transfer).unwrap(),
            to_json_binary(&theirs).unwrap()
        );
        let send = Cw20Call::Send {
            contract: "pool".into(),
            amount: Uint128::new(9),
            msg: Binary::from(b"{}"),
        };
        let theirs = cw20::Cw20ExecuteMsg::Send {
            contract: "pool".into(),
            amount: Uint128::new(9),
            msg: Binary::from(b"{}"),
        };
        assert_eq!(to_json_binary(&send).unwrap(), to_json_binary(&theirs).unwrap());
        let CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr,
            msg,
            funds,
        }) = send.on("token").unwrap()
        else {
            panic!("a wasm execute");
        };
        assert_eq!((contract_addr.as_str(), funds.len()), ("token", 0));
        assert_eq!(msg, to_json_binary(&theirs).unwrap());
    }

    #[test]
    fn exact_payment() {
        let bond = coin(100, "uatr");
        assert_eq!(expect_exact(&[coin(100, "uatr")], Some(&bond)), Ok(()));
        assert_eq!(
            expect_exact(&[], Some(&bond)),
            Err(FundsError::Missing {
                expected: bond.clone()
            })
        );
        for sent in [
            vec![coin(99, "uatr")],
            vec![coin(101, "uatr")],
            vec![coin(100, "uother")],
            vec![coin(100, "uatr"), coin(1, "uother")],
        ] {
            assert_eq!(
                expect_exact(&sent, Some(&bond)),
                Err(FundsError::Wrong {
                    expected: bond.clone(),
                    sent: sent.clone()
                })
            );
        }
    }

    #[test]
    fn zero_or_no_expectation_takes_no_funds() {
        assert_eq!(expect_exact(&[], None), Ok(()));
        assert_eq!(expect_exact(&[], Some(&coin(0, "uatr"))), Ok(()));
        assert_eq!(
            expect_exact(&[coin(1, "uatr")], None),
            Err(FundsError::Unexpected {
                sent: vec![coin(1, "uatr")]
            })
        );
    }

    #[test]
    fn send_picks_bank_or_cw20() {
        let to = Addr::unchecked("to");
        assert!(matches!(
            send("uatr", &to, Uint128::new(5)).unwrap(),
            CosmosMsg::Bank(BankMsg::Send { .. })
        ));
        match send("cw20:token", &to, Uint128::new(5)).unwrap() {
            CosmosMsg::Wasm(WasmMsg::Execute { contract_addr, .. }) => assert_eq!(contract_addr, "token"),
            other => panic!("{other:?}"),
        }
        assert_eq!(cw20_denom(&Addr::unchecked("t")), "cw20:t");
    }

    #[test]
    fn one_coin_of_a_denom() {
        assert_eq!(one_coin_of(&[coin(5, "uatr")], "uatr"), Ok(Uint128::new(5)));
        for sent in [vec![], vec![coin(5, "x")], vec![coin(5, "uatr"), coin(1, "x")]] {
            assert!(matches!(
                one_coin_of(&sent, "uatr"),
                Err(FundsError::NotDenom { .. })
            ));
        }
    }

    #[test]
    fn one_of_accepted_prices() {
        let prices = vec![coin(500, "uatr"), coin(7, "ibc/ABC")];
        assert_eq!(
            expect_one_of(&[coin(7, "ibc/ABC")], &prices),
            Ok(Some(coin(7, "ibc/ABC")))
        );
        assert!(matches!(
            expect_one_of(&[coin(6, "ibc/ABC")], &prices),
            Err(FundsError::NotAccepted { .. })
        ));
        assert!(matches!(
            expect_one_of(&[coin(500, "uatom")], &prices),
            Err(FundsError::NotAccepted { .. })
        ));
        assert!(matches!(
            expect_one_of(&[], &prices),
            Err(FundsError::NotAccepted { .. })
        ));
        assert_eq!(expect_one_of(&[], &[]), Ok(None));
        assert!(matches!(
            expect_one_of(&[coin(1, "uatr")], &[]),
            Err(FundsError::Unexpected { .. })
        ));
    }
}
