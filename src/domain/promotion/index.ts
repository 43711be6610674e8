export * from './findPromotionCandidates';
