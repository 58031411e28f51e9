// SPDX-License-Identifier: MIT
// A minimal ERC-20 for stm's synthetic blocks (src/synth): balances and transfer, nothing
// else. Storage layout (the generator writes balances straight into the pre-state):
//   slot 0: mapping(address => uint256) balanceOf  ->  keccak256(pad32(owner) . pad32(0))
pragma solidity ^0.8.24;

contract SynthToken {
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 fromBalance = balanceOf[msg.sender];
        require(fromBalance >= amount, "insufficient balance");
        unchecked {
            balanceOf[msg.sender] = fromBalance - amount;
        }
        balanceOf[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }
}
