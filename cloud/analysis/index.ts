export { AnalysisAgent, type AnalysisAgentEvents, type AnalysisAgentOptions } from './analysis-agent.js';
export {
  assessRisk,
  corroboratesItself,
  DEFAULT_RISK_SETTINGS,
  type RiskInput,
  type RiskSettings,
  type RiskVerdict,
} from './risk-assessment.js';
export {
  FIRE_SIGN_NAMES,
  FIRE_SIGNS,
  isFireSignature,
  readFireSigns,
  SIGN_PRESENT,
  type FireSign,
  type FireSignReading,
} from './fire-signs.js';
