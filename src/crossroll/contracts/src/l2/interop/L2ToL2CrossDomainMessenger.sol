// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Identifier, ICrossL2Inbox} from "./CrossL2Inbox.sol";
import {InteropPredeploys} from "./InteropPredeploys.sol";
import {SettledProof, IMessageOutbox, ISettledInbox} from "./ISettled.sol";

/// @notice What the bridges and applications call on the messenger.
interface IL2ToL2CrossDomainMessenger {
    function sendMessage(uint256 _destination, address _target, bytes calldata _message) external returns (bytes32);

    function crossDomainMessageSender() external view returns (address);

    function crossDomainMessageSource() external view returns (uint256);

    function crossDomainMessageContext() external view returns (address sender_, uint256 source_);
}

/// @title L2ToL2CrossDomainMessenger
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000023: OP interop's messenger
///         (ABI, events, errors and storage layout as OP's), with crossroll's settled path:
///         - `sendMessage` also appends the message hash to the MessageOutbox tree, which the L1
///           settles, so the message can relay with a Merkle proof instead of a trusted relay;
///         - `relaySettledMessage` relays with such a proof (checked by the SettledInbox).
///         Both relay paths share `successfulMessages`: a message relays at most once.
/// @dev Message hash: keccak256(abi.encode(destination, source, nonce, sender, target, message)),
///      OP's Hashing.hashL2toL2CrossDomainMessage. No constructor and no immutables.
contract L2ToL2CrossDomainMessenger is IL2ToL2CrossDomainMessenger {
    /// @notice Read outside of a relay.
    error NotEntered();
    /// @notice A relay inside a relay.
    error ReentrantCall();
    /// @notice The identifier does not point at a log of this contract.
    error IdOriginNotL2ToL2CrossDomainMessenger();
    /// @notice The payload is not a SentMessage log.
    error EventPayloadNotSentMessage();
    /// @notice A message to the chain it is sent on.
    error MessageDestinationSameChain();
    /// @notice A message relayed on a chain that is not its destination.
    error MessageDestinationNotRelayChain();
    /// @notice A message whose target is the CrossL2Inbox.
    error MessageTargetCrossL2Inbox();
    /// @notice A message whose target is this messenger.
    error MessageTargetL2ToL2CrossDomainMessenger();
    /// @notice A message whose target is a settled-path predeploy (MessageOutbox, SettledInbox):
    ///         a relayed call to the outbox would append a forged hash to this chain's tree.
    error L2ToL2CrossDomainMessenger_MessageTargetUnsafe();
    /// @notice A message that has already been relayed (on either path).
    error MessageAlreadyRelayed();
    /// @notice `resendMessage` for a message this chain did not send.
    error InvalidMessage();

    /// @notice bytes32(uint256(keccak256("l2tol2crossdomainmessenger.sender")) - 1), as OP's.
    bytes32 internal constant CROSS_DOMAIN_MESSAGE_SENDER_SLOT =
        0xb83444d07072b122e2e72a669ce32857d892345c19856f4e7142d06a167ab3f3;
    /// @notice bytes32(uint256(keccak256("l2tol2crossdomainmessenger.source")) - 1), as OP's.
    bytes32 internal constant CROSS_DOMAIN_MESSAGE_SOURCE_SLOT =
        0x711dfa3259c842fffc17d6e1f1e0fc5927756133a2345ca56b4cb8178589fee7;
    /// @notice bytes32(uint256(keccak256("crossroll.l2tol2crossdomainmessenger.entered")) - 1).
    bytes32 internal constant ENTERED_SLOT = 0xd225c87adf5db00478c720fe11cd758cbb336d201a8355cfe18aac25c726192b;

    /// @notice Current message version, in the top two bytes of every nonce.
    uint16 public constant messageVersion = uint16(0);

    /// @notice Version of OP's messenger whose ABI this contract has (plus the settled path).
    string public constant version = "1.1.0";

    /// @notice Relayed message hashes (slot 0); a message relays at most once.
    mapping(bytes32 => bool) public successfulMessages;

    /// @notice Nonce of the next message, without the version (slot 1).
    uint240 internal msgNonce;

    /// @notice Hashes of the messages sent from this chain, by versioned nonce (slot 2).
    mapping(uint256 => bytes32) public sentMessages;

    /// @notice Emitted for every message sent (and re-emitted by `resendMessage`).
    event SentMessage(
        uint256 indexed destination, address indexed target, uint256 indexed messageNonce, address sender, bytes message
    );

    /// @notice Emitted for every message relayed on this chain, on either path.
    event RelayedMessage(
        uint256 indexed source, uint256 indexed messageNonce, bytes32 indexed messageHash, bytes32 returnDataHash
    );

    modifier nonReentrant() {
        if (_entered()) revert ReentrantCall();
        assembly {
            tstore(ENTERED_SLOT, 1)
        }
        _;
        assembly {
            tstore(ENTERED_SLOT, 0)
        }
    }

    modifier onlyEntered() {
        if (!_entered()) revert NotEntered();
        _;
    }

    /// @notice Sender (on the source chain) of the message being relayed.
    function crossDomainMessageSender() external view onlyEntered returns (address sender_) {
        assembly {
            sender_ := tload(CROSS_DOMAIN_MESSAGE_SENDER_SLOT)
        }
    }

    /// @notice Source chain of the message being relayed.
    function crossDomainMessageSource() external view onlyEntered returns (uint256 source_) {
        assembly {
            source_ := tload(CROSS_DOMAIN_MESSAGE_SOURCE_SLOT)
        }
    }

    /// @notice Sender and source chain of the message being relayed.
    function crossDomainMessageContext() external view onlyEntered returns (address sender_, uint256 source_) {
        assembly {
            sender_ := tload(CROSS_DOMAIN_MESSAGE_SENDER_SLOT)
            source_ := tload(CROSS_DOMAIN_MESSAGE_SOURCE_SLOT)
        }
    }

    /// @notice Nonce of the next message sent, with the message version in the top two bytes.
    function messageNonce() public view returns (uint256) {
        return (uint256(messageVersion) << 240) | uint256(msgNonce);
    }

    /// @notice Send `_message` to `_target` on chain `_destination`. Not payable.
    /// @return messageHash_ The message hash (the relay nullifier and the outbox leaf's preimage).
    function sendMessage(
        uint256 _destination,
        address _target,
        bytes calldata _message
    )
        external
        returns (bytes32 messageHash_)
    {
        if (_destination == block.chainid) revert MessageDestinationSameChain();
        _checkTarget(_target);

        uint256 nonce = messageNonce();
        messageHash_ = _hashMessage(_destination, block.chainid, nonce, msg.sender, _target, _message);
        sentMessages[nonce] = messageHash_;
        msgNonce++;

        emit SentMessage(_destination, _target, nonce, msg.sender, _message);
        // The settled path: the outbox root the L1 proves commits to this hash.
        IMessageOutbox(InteropPredeploys.MESSAGE_OUTBOX).append(messageHash_);
    }

    /// @notice Emit SentMessage again for a message this chain sent (e.g. one never relayed).
    function resendMessage(
        uint256 _destination,
        uint256 _nonce,
        address _sender,
        address _target,
        bytes calldata _message
    )
        external
        returns (bytes32 messageHash_)
    {
        messageHash_ = _hashMessage(_destination, block.chainid, _nonce, _sender, _target, _message);
        if (sentMessages[_nonce] != messageHash_) revert InvalidMessage();
        emit SentMessage(_destination, _target, _nonce, _sender, _message);
    }

    /// @notice Relay a message on the fast path: `_id` points at its SentMessage log on the
    ///         source chain and `_sentMessage` is that log's payload (topics then data). The
    ///         CrossL2Inbox checks the transaction declared the message in its access list.
    function relayMessage(
        Identifier calldata _id,
        bytes calldata _sentMessage
    )
        external
        payable
        nonReentrant
        returns (bytes memory returnData_)
    {
        if (_id.origin != address(this)) revert IdOriginNotL2ToL2CrossDomainMessenger();
        ICrossL2Inbox(InteropPredeploys.CROSS_L2_INBOX).validateMessage(_id, keccak256(_sentMessage));

        (uint256 destination, address target, uint256 nonce, address sender, bytes memory message) =
            _decodeSentMessagePayload(_sentMessage);
        if (destination != block.chainid) revert MessageDestinationNotRelayChain();

        bytes32 messageHash = _hashMessage(destination, _id.chainId, nonce, sender, target, message);
        returnData_ = _relay(_id.chainId, nonce, sender, target, message, messageHash);
    }

    /// @notice Relay a message on the settled path: `_proof` shows its hash is a leaf of
    ///         `_source`'s outbox tree under a global root this chain learned from the L1.
    ///         The destination is this chain by construction (it is part of the hash).
    function relaySettledMessage(
        uint256 _source,
        uint256 _nonce,
        address _sender,
        address _target,
        bytes calldata _message,
        SettledProof calldata _proof
    )
        external
        payable
        nonReentrant
        returns (bytes memory returnData_)
    {
        bytes32 messageHash = _hashMessage(block.chainid, _source, _nonce, _sender, _target, _message);
        ISettledInbox(InteropPredeploys.SETTLED_INBOX).verifyMessage(_source, messageHash, _proof);
        returnData_ = _relay(_source, _nonce, _sender, _target, _message, messageHash);
    }

    /// @notice Both paths end here: refuse system targets and replays, set the context, call.
    ///         A failing call reverts the whole relay, so the message can be relayed again.
    function _relay(
        uint256 _source,
        uint256 _nonce,
        address _sender,
        address _target,
        bytes memory _message,
        bytes32 _messageHash
    )
        internal
        returns (bytes memory returnData_)
    {
        _checkTarget(_target);
        if (successfulMessages[_messageHash]) revert MessageAlreadyRelayed();
        successfulMessages[_messageHash] = true;

        _storeMessageMetadata(_source, _sender);
        bool success;
        (success, returnData_) = _target.call{value: msg.value}(_message);
        if (!success) {
            assembly {
                revert(add(32, returnData_), mload(returnData_))
            }
        }
        emit RelayedMessage(_source, _nonce, _messageHash, keccak256(returnData_));
        _storeMessageMetadata(0, address(0));
    }

    /// @notice Targets no message may call: the inbox, this messenger and the settled pair.
    function _checkTarget(address _target) internal pure {
        if (_target == InteropPredeploys.CROSS_L2_INBOX) revert MessageTargetCrossL2Inbox();
        if (_target == InteropPredeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER) {
            revert MessageTargetL2ToL2CrossDomainMessenger();
        }
        if (_target == InteropPredeploys.MESSAGE_OUTBOX || _target == InteropPredeploys.SETTLED_INBOX) {
            revert L2ToL2CrossDomainMessenger_MessageTargetUnsafe();
        }
    }

    function _entered() internal view returns (bool entered_) {
        assembly {
            entered_ := tload(ENTERED_SLOT)
        }
    }

    function _storeMessageMetadata(uint256 _source, address _sender) internal {
        assembly {
            tstore(CROSS_DOMAIN_MESSAGE_SENDER_SLOT, _sender)
            tstore(CROSS_DOMAIN_MESSAGE_SOURCE_SLOT, _source)
        }
    }

    function _hashMessage(
        uint256 _destination,
        uint256 _source,
        uint256 _nonce,
        address _sender,
        address _target,
        bytes memory _message
    )
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(_destination, _source, _nonce, _sender, _target, _message));
    }

    /// @notice SentMessage payload: topic0, destination, target, nonce (4 words), then the
    ///         data abi.encode(sender, message).
    function _decodeSentMessagePayload(bytes calldata _payload)
        internal
        pure
        returns (uint256 destination_, address target_, uint256 nonce_, address sender_, bytes memory message_)
    {
        if (_payload.length < 128 || bytes32(_payload[:32]) != SentMessage.selector) {
            revert EventPayloadNotSentMessage();
        }
        (destination_, target_, nonce_) = abi.decode(_payload[32:128], (uint256, address, uint256));
        (sender_, message_) = abi.decode(_payload[128:], (address, bytes));
    }
}
