/**
 * Names for well-known mainnet addresses, so a ranking says "WETH" instead of 0xc02a….
 * Deliberately small: tokens and routers that dominate dependency edges in the bundled
 * blocks, and the block builders that appear as their coinbase. Documented in
 * docs/analyze.md; an address that is the block's own miner is named "coinbase" when it
 * is not in this table.
 */
export const KNOWN_ADDRESSES: Readonly<Record<string, string>> = {
  '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2': 'WETH',
  '0xdac17f958d2ee523a2206206994597c13d831ec7': 'USDT',
  '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48': 'USDC',
  '0x6b175474e89094c44da98b954eedeac495271d0f': 'DAI',
  '0x7a250d5630b4cf539739df2c5dacb4c659f2488d': 'Uniswap V2 Router02',
  '0xf164fc0ec4e93095b804a4795bbe1e041497b92a': 'Uniswap V2 Router01',
  '0xe592427a0aece92de3edee1f18e0157c05861564': 'Uniswap V3 SwapRouter',
  '0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45': 'Uniswap V3 SwapRouter02',
  '0xef1c6e67703c7bd7107eed8303fbe6ec2554bf6b': 'Uniswap Universal Router (old)',
  '0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad': 'Uniswap Universal Router',
  '0x5c69bee701ef814a2b6a3edd4b1652cb9cc5aa6f': 'Uniswap V2 Factory',
  '0x000000000022d473030f116ddee9f6b43ac78ba3': 'Permit2',
  '0x1111111254eeb25477b68fb85ed929f73a960582': '1inch v5 Router',
  '0xd9e1ce17f2641f24ae83637ab66a2cca9c378b9f': 'SushiSwap Router',
  '0x00000000006c3852cbef3e08e8df289169ede581': 'Seaport 1.1',
  '0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97': 'Titan Builder',
  '0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5': 'beaverbuild',
  '0x1f9090aae28b8a3dceadf281b0f12828e676c326': 'rsync-builder',
  '0xdafea492d9c6733ae3d56b7ed1adb60692c98bc5': 'Flashbots builder',
  '0x690b9a9e9aa1c9db991c7721a92d351db4fac990': 'builder0x69',
  '0xea674fdde714fd979de3edf0f56aa9716b898ec8': 'Ethermine',
  '0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c': 'Spark Pool',
  '0x829bd824b016326a401d083b33d092293333a830': 'F2Pool',
  '0x52bc44d5378309ee2abf1539bf71de1b7d7be3b5': 'Nanopool',
  '0x2a65aca4d5fc5b5c859090a6c34d164135398226': 'DwarfPool',
  '0x61c808d82a3ac53231750dadc13c777b59310bd9': 'F2Pool (old)',
  '0xb2930b35844a230f00e51431acae96fe543a0347': 'MiningPoolHub',
};

/** The name of `address` (lower-case 0x) for tables, or undefined. `coinbase` is the block's miner. */
export function addressName(address: string, coinbase?: string): string | undefined {
  const known = KNOWN_ADDRESSES[address];
  if (known !== undefined) return known;
  if (coinbase !== undefined && address === coinbase.toLowerCase()) return 'coinbase';
  return undefined;
}
