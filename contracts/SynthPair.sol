// SPDX-License-Identifier: MIT
// A constant-product pool (x * y = k, 0.3% fee, as Uniswap V2) for stm's synthetic blocks
// (src/synth). To keep a swap one contract call, traders hold balances of the two tokens
// inside the pool instead of in separate ERC-20 contracts; a swap moves amountIn of one
// token from the trader to the pool and amountOut of the other back. Storage layout (the
// generator writes it straight into the pre-state):
//   slot 0: reserve0 (low 128 bits) and reserve1 (high 128 bits)
//   slot 1: mapping(address => uint256) balance0  ->  keccak256(pad32(trader) . pad32(1))
//   slot 2: mapping(address => uint256) balance1  ->  keccak256(pad32(trader) . pad32(2))
pragma solidity ^0.8.24;

contract SynthPair {
    uint128 public reserve0;
    uint128 public reserve1;
    mapping(address => uint256) public balance0;
    mapping(address => uint256) public balance1;

    event Swap(address indexed trader, bool zeroForOne, uint256 amountIn, uint256 amountOut);

    function swap(bool zeroForOne, uint256 amountIn, uint256 minAmountOut) external returns (uint256 amountOut) {
        uint256 r0 = reserve0;
        uint256 r1 = reserve1;
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (r0, r1) : (r1, r0);
        uint256 amountInWithFee = amountIn * 997;
        amountOut = (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
        require(amountOut >= minAmountOut && amountOut < reserveOut, "insufficient output");
        if (zeroForOne) {
            balance0[msg.sender] -= amountIn;
            balance1[msg.sender] += amountOut;
            reserve0 = uint128(r0 + amountIn);
            reserve1 = uint128(r1 - amountOut);
        } else {
            balance1[msg.sender] -= amountIn;
            balance0[msg.sender] += amountOut;
            reserve1 = uint128(r1 + amountIn);
            reserve0 = uint128(r0 - amountOut);
        }
        emit Swap(msg.sender, zeroForOne, amountIn, amountOut);
    }
}
