export { IncidentStore } from './incident-store.js';
export type {
  AssessmentContext,
  AssessmentData,
  DeviceAnomaly,
  DeviceOutcome,
  IncidentChange,
  IncidentDataWindow,
  IncidentEvent,
  IncidentListFilter,
  IncidentStoreEvents,
  IncidentStoreOptions,
  ZoneActivity,
} from './incident-types.js';
