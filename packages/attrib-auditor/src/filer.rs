//! Sends the checker's actions with the auditor's own key, each at most once: a filing is
//! claimed in the store before it is sent and its result recorded after, so a restart
//! never sends what was sent (see [`crate::store::Store::claim`]).

use anyhow::Result;
use attrib_cli::chain::TxOutcome;
use attrib_cli::context::execute_any;
use attrib_receipt_oracle::contract::sv::QueryMsg;
use attrib_receipt_oracle::msg::BatchRef;
use attrib_receipt_oracle::state::{Config as OracleConfig, InclusionRequest};

use crate::checker::{Action, Kind};
use crate::follower::Auditor;

/// What became of one action.
#[derive(Debug)]
pub enum Filed {
    /// Sent before, in flight, or refused too often: not sent now.
    Skipped,
    Sent(TxOutcome),
    /// The chain (or the node) refused it; recorded, tried again on a later block.
    Refused(String),
}

/// Files `action` on batch `seq` of (model, operator) (`seq` 0 for a late omission).
pub async fn file(
    a: &Auditor,
    oracle_config: &OracleConfig,
    model_id: u64,
    operator: &str,
    seq: u64,
    action: &Action,
) -> Result<Filed> {
    if landed_before(a, model_id, operator, seq, action).await? {
        return Ok(Filed::Skipped);
    }
    if !a.store().claim(model_id, operator, seq, action)? {
        return Ok(Filed::Skipped);
    }
    let funds = match action.kind {
        Kind::RequestInclusion => vec![oracle_config.params.inclusion_fee.clone()],
        _ => vec![],
    };
    let sent = send(a, &action.msg, &funds).await;
    let record = sent
        .as_ref()
        .map(|o| (o.txhash.clone(), o.height))
        .map_err(|e| format!("{e:#}"));
    a.store()
        .record_filing(action.kind, model_id, operator, seq, action.receipt_id, record)?;
    Ok(match sent {
        Ok(o) => {
            tracing::info!(kind = action.kind.as_str(), model_id, operator, seq, receipt_id = action.receipt_id, tx = %o.txhash, height = o.height, "filed");
            Filed::Sent(o)
        }
        Err(e) => {
            tracing::warn!(kind = action.kind.as_str(), model_id, operator, seq, receipt_id = action.receipt_id, error = %format!("{e:#}"), "filing refused");
            Filed::Refused(format!("{e:#}"))
        }
    })
}

/// An inclusion request whose last send was interrupted by a crash or timed out waiting
/// for its block may be on the chain: asked before sending it again. When the chain holds
/// the auditor's request for that receipt it is recorded as sent (and followed).
async fn landed_before(
    a: &Auditor,
    model_id: u64,
    operator: &str,
    seq: u64,
    action: &Action,
) -> Result<bool> {
    let (Kind::RequestInclusion, Some(receipt_id)) = (action.kind, action.receipt_id) else {
        return Ok(false);
    };
    let uncertain = a
        .store()
        .last_error(model_id, operator, seq, action)?
        .is_some_and(|e| e == "interrupted" || e.contains("not included after"));
    if !uncertain {
        return Ok(false);
    }
    let batch = BatchRef {
        model_id,
        operator: operator.to_string(),
        seq,
    };
    let req: Result<InclusionRequest> = a
        .ctx
        .chain
        .query(&a.oracle, &QueryMsg::InclusionRequest { batch, receipt_id })
        .await;
    match req {
        Ok(req) if req.requester.as_str() == a.signer.address.to_string() => {
            a.store().mark_sent(model_id, operator, seq, action)?;
            tracing::info!(
                model_id,
                operator,
                seq,
                receipt_id,
                "an interrupted inclusion request had landed"
            );
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Signs and broadcasts one oracle message, waiting for its block.
async fn send(
    a: &Auditor,
    msg: &attrib_receipt_oracle::contract::sv::ExecMsg,
    funds: &[cosmwasm_std::Coin],
) -> Result<TxOutcome> {
    let json = serde_json::to_vec(msg)?;
    let any = execute_any(&a.signer.address, &a.oracle, &json, funds)?;
    a.ctx.chain.send(&a.signer, vec![any], &a.ctx.settings()?).await
}
