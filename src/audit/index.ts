/** The audit trail's public face (issue 12 part D): the node builds one trail and records events into it. */
export { createAuditTrail, noopAuditTrail, type AuditConfig, type AuditTrail, type AuditTrailDeps } from './trail';
export type {
  ApplicationActivityEvent,
  AssociationEvent,
  AuditEvent,
  AuditOutcome,
  ConfigurationLoadedEvent,
  InstancesTransferredEvent,
  NetworkPeer,
  QueryEvent,
  SecurityAlertEvent,
  UserAuthenticationEvent,
} from './events';
