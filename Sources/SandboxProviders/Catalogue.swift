extension KindCatalogue {
    /// Every kind a stack may declare, one line each (the order `sandbox schema` and error messages list them in).
    /// Adding a kind: its file under Kinds/ and one line here.
    public static let standard = KindCatalogue([
        KindAdapter<S3BucketKind>(),
        KindAdapter<PublicAccessBlockKind>(),
        KindAdapter<BucketEncryptionKind>(),
        KindAdapter<BucketVersioningKind>(),
        KindAdapter<BucketLifecycleKind>(),
        KindAdapter<IAMPolicyKind>(),
        KindAdapter<IAMUserKind>(),
        KindAdapter<OpenIDConnectProviderKind>(),
        KindAdapter<IAMRoleKind>(),
        KindAdapter<RolePolicyAttachmentKind>(),
        KindAdapter<BudgetKind>(),
        KindAdapter<GlueDatabasePrefixKind>(),
    ])
}
