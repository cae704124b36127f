export { ModelUpdater, type ModelUpdaterOptions } from './model-updater.js';
export {
  ModelUpdaterSettings,
  resolveModelUpdaterSettings,
  type ModelUpdaterSettingsInput,
  type ResolvedModelUpdaterSettings,
} from './model-updater-settings.js';
export { ModelSlots, type SlotEntry, type SlotState } from './model-slots.js';
export { checkOffer, offerLabel, type OfferTrust } from './offer-check.js';
export { fetchOfferedModel, type FetchOfferedOptions, type OfferedModel } from './offered-model.js';
export { fetchFromSource, fetchLimited, type DownloadLimits } from './model-download.js';
