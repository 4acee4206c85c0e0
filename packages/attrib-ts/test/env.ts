// What the Node scripts against a live chain share (chain.test.ts, history.ts): settings
// from the environment and the test accounts' wallets (scripts/test-accounts.json).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A setting the calling script (`setBy`) gives; its absence is an error naming it. */
export function env(name: string, setBy: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (${setBy} sets it)`);
  return v;
}

/** The wallet of a test account, by name, and its address. */
export async function testWallet(name: string): Promise<{ wallet: DirectSecp256k1HdWallet; address: string }> {
  const accounts = JSON.parse(readFileSync(join(ROOT, "scripts", "test-accounts.json"), "utf8"));
  const account = accounts.accounts.find((a: { name: string }) => a.name === name);
  if (!account) throw new Error(`no test account ${name}`);
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(account.mnemonic, { prefix: accounts.prefix });
  const [{ address }] = await wallet.getAccounts();
  return { wallet, address };
}
