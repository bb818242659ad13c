import { LightningElement } from 'lwc';
import getFieldMappings from '@salesforce/apex/UnleashedFieldMappingController.getFieldMappings';
import { errorMessage } from 'c/unleashedUtils';

const TARGET_LABELS = {
    Comments: 'Comments',
    CustomerRef: 'Customer reference',
    DeliveryInstruction: 'Delivery instruction',
    SourceId: 'Source',
    LineComment: 'Line comment'
};

/**
 * The admin's field mappings (custom metadata Unleashed Field Mapping): what fills which part of the
 * Unleashed order, which are inactive, and why a mapping is left out of sends. Changed in Setup >
 * Custom Metadata Types.
 */
export default class UnleashedFieldMappings extends LightningElement {
    mappings = [];
    isLoading = true;
    error;

    connectedCallback() {
        this.load();
    }

    async load() {
        this.isLoading = true;
        this.error = undefined;
        try {
            const rows = (await getFieldMappings()) || [];
            this.mappings = rows.map((m) => ({
                ...m,
                targetLabel: TARGET_LABELS[m.target] || m.target,
                source: m.sourceField ? `${m.sourceObject}.${m.sourceField}` : m.sourceObject,
                status: m.problem ? 'Not used' : m.active ? 'Active' : 'Inactive',
                statusClass: m.problem
                    ? 'slds-badge slds-theme_warning'
                    : m.active
                      ? 'slds-badge slds-theme_success'
                      : 'slds-badge'
            }));
        } catch (e) {
            this.error = errorMessage(e);
        } finally {
            this.isLoading = false;
        }
    }

    handleRefresh() {
        this.load();
    }

    get hasMappings() {
        return !this.isLoading && !this.error && this.mappings.length > 0;
    }

    get isEmpty() {
        return !this.isLoading && !this.error && this.mappings.length === 0;
    }

    get problemCount() {
        return this.mappings.filter((m) => m.problem).length;
    }

    get summary() {
        const n = this.problemCount;
        if (n === 0) return 'Every mapping can be used.';
        return n === 1
            ? '1 mapping cannot be used and is left out of sends.'
            : `${n} mappings cannot be used and are left out of sends.`;
    }
}
