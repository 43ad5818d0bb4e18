// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Hash chains over events, so a reader that gets an account's events from an untrusted source (an
 * indexer, or an RPC that may truncate logs) proves the list complete and untampered with one read: it
 * folds the events into a chain itself and compares length and head with {activityChain}.
 *
 * Each event extends a chain by its leaf `keccak256(abi.encode(topic0, topic1, topic2, keccak256(data)))`
 * — the event's signature hash, its first two indexed arguments (zero when absent) and the hash of its
 * ABI-encoded data, all of which a reader finds in the log itself — as
 * `head = bytes24(keccak256(abi.encodePacked(head, leaf)))`, starting from {GENESIS}.
 *
 * Registration opens an account's chain (writes its slot), so the first consent event of a patient or
 * provider updates a warm-priced slot instead of paying for a fresh one: registering is done once,
 * grants and requests all the time.
 *
 * Chains kept: a patient's consent and audit events (grants, revocations, requests, denials, shared
 * keyrings, logged reads); a provider's consent events (grants, revocations, requests, denials); and the
 * provider directory (every provider registry event) under the zero address.
 */
abstract contract ActivityChains {
    /// @dev Length and head of one chain; one storage slot.
    struct Chain {
        uint64 length;
        bytes24 head;
    }

    /// @notice The head of every chain before its first event.
    bytes24 public constant GENESIS = bytes24(keccak256("MedLedger.ActivityChain"));

    /// @dev The account whose chain holds the provider directory's events.
    address internal constant _DIRECTORY = address(0);

    mapping(address account => Chain) private _chains;

    constructor() {
        _openChain(_DIRECTORY);
    }

    /**
     * @notice Length and head of `account`'s event chain (the provider directory's for the zero address).
     * @dev Compare with the chain folded from the account's events as of the same block.
     */
    function activityChain(address account) external view returns (uint64 length, bytes24 head) {
        Chain storage chain = _chains[account];
        return (chain.length, chain.head == bytes24(0) ? GENESIS : chain.head);
    }

    /// @dev The leaf of an event with signature hash `topic0`, indexed `topic1`, `topic2`, and `data`.
    function _eventLeaf(bytes32 topic0, address topic1, address topic2, bytes memory data) internal pure returns (bytes32) {
        return keccak256(abi.encode(topic0, topic1, topic2, keccak256(data)));
    }

    /// @dev Writes `account`'s chain slot before its first event (see the contract's description).
    function _openChain(address account) internal {
        Chain storage chain = _chains[account];
        if (chain.head == bytes24(0)) chain.head = GENESIS;
    }

    /// @dev Appends `leaf` to `account`'s chain.
    function _extendChain(address account, bytes32 leaf) internal {
        Chain storage chain = _chains[account];
        bytes24 head = chain.head == bytes24(0) ? GENESIS : chain.head;
        chain.head = bytes24(keccak256(abi.encodePacked(head, leaf)));
        // Cannot overflow: one increment per event, far below 2^64.
        unchecked {
            ++chain.length;
        }
    }

    /// @dev Appends the leaf of a two-party event to the patient's chain and, if `toProvider`, the provider's.
    function _chainConsentEvent(
        bytes32 topic0,
        address patient,
        address provider,
        bytes memory data,
        bool toProvider
    ) internal {
        bytes32 leaf = _eventLeaf(topic0, patient, provider, data);
        _extendChain(patient, leaf);
        if (toProvider) _extendChain(provider, leaf);
    }
}
