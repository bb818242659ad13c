import { refreshWired } from 'preview/apexRuntime';

export function refreshApex(value) {
    return refreshWired(value);
}

export function getSObjectValue(record, field) {
    const name = typeof field === 'string' ? field : field.fieldApiName;
    return record ? record[name] : undefined;
}
